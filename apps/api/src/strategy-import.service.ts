import { messageOf } from '@ktrdr/errors';
import type { Logger } from '@ktrdr/runtime';
import { StrategyStore } from '@ktrdr/strategies';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { API_LOGGER } from './backend.service.js';

/** How long the start waits for the import before it listens anyway (the import goes on behind it). */
const START_WAIT_MS = 3000;

/**
 * Imports KTRDR_STRATEGIES_DIR into the store when the API starts, so that no request — a read
 * least of all — is the one that writes the imported strategies into Redis. A Redis that is down or
 * slow at start does not hold the API back past START_WAIT_MS: a failed import is logged, and the
 * store tries again at its first use.
 */
@Injectable()
export class StrategyImportService implements OnApplicationBootstrap {
  constructor(
    private readonly strategies: StrategyStore,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const importing = this.strategies.importDirectory().then(
      (done) => {
        if (done.imported.length || done.assessments.length) {
          this.log.info(
            { dir: this.strategies.dir, strategies: done.imported.length, assessments: done.assessments.length },
            'strategies directory imported into the store',
          );
        }
      },
      (e: unknown) =>
        this.log.warn({ dir: this.strategies.dir, err: messageOf(e) }, 'strategies directory not imported yet; retried at the first strategy request'),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([importing, new Promise<void>((resolve) => (timer = setTimeout(resolve, START_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
