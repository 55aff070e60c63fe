import { ArtifactNotFoundError, ArtifactStore } from '@ktrdr/operations';
import { Injectable } from '@nestjs/common';
import { catalogueOrder } from './artifacts.dto.js';
import { Backend } from './backend.service.js';

/** Reads the artifacts the workers publish, on the API's store connection. */
@Injectable()
export class ArtifactsService {
  readonly store: ArtifactStore;

  constructor(private readonly backend: Backend) {
    this.store = new ArtifactStore(backend.redis, backend.config.prefix, backend.config.artifacts);
  }

  /** The operation's artifact names; OperationNotFoundError for an unknown operation. */
  async list(operationId: string): Promise<string[]> {
    const [names] = await Promise.all([this.store.list(operationId), this.backend.store.require(operationId)]);
    return catalogueOrder(names);
  }

  /** The artifact's stored JSON text, passed through without re-encoding (an equity curve can be megabytes). */
  async getRaw(operationId: string, name: string): Promise<string> {
    const raw = await this.store.getRaw(operationId, name);
    if (raw !== null) return raw;
    await this.backend.store.require(operationId); // an unknown operation is a 404 for the operation
    throw new ArtifactNotFoundError(operationId, name);
  }
}
