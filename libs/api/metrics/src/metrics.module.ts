import { Module } from '@nestjs/common';
import { MetricsStore } from './metrics-store.service.js';

/** Stats history: batched writes into partitioned tables, rollups, retention, range queries. */
@Module({
  providers: [MetricsStore],
  exports: [MetricsStore],
})
export class MetricsHistoryModule {}
