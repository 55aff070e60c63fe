import { messageOf } from '@ktrdr/errors';
import { MarketDataRepository } from '@ktrdr/market-data';
import type { Logger } from '@ktrdr/runtime';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { API_LOGGER } from './backend.service.js';

/** How long the start waits for the import before it listens anyway (the import goes on behind it). */
const START_WAIT_MS = 3000;

/**
 * CSVs dropped into KTRDR_DATA_DIR go into the blob store once, when the API starts (create-only:
 * an import through the API is never overwritten), so workers on other hosts see them too. Waited
 * for before the API listens, so the store is settled when it answers; but a Redis that is down or
 * slow at start does not hold the API back past START_WAIT_MS (health must answer): a failed import
 * is logged, and those files are still read from the directory as before until the next start.
 */
@Injectable()
export class DataDirectoryImport implements OnApplicationBootstrap {
  constructor(
    private readonly data: MarketDataRepository,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.run(), new Promise<void>((resolve) => (timer = setTimeout(resolve, START_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async run(): Promise<void> {
    try {
      const done = await this.data.importDirectory();
      for (const f of done.failed) this.log.warn({ path: f.path, err: f.error }, 'data directory: CSV not imported into the store');
      if (done.imported.length) {
        this.log.info({ imported: done.imported.map((r) => r.name), dir: this.data.dataDir }, 'data directory: CSVs imported into the store');
      }
    } catch (e) {
      this.log.warn(
        { err: messageOf(e), dir: this.data.dataDir },
        'data directory not imported into the store (its files are read from the directory meanwhile)',
      );
    }
  }
}
