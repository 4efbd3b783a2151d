// ING: data sources, CSV normalization, the ingest stage.
export { CsvBarReader, parseBarsCsv, readBarsFile, symbolFromPath } from '../../adapters/data/csv-bars.ts';
export { parseIsoDate, dateBoundMs } from '../../adapters/data/bar-time.ts';
export type { CsvBarsOptions, ParsedBars } from '../../adapters/data/csv-bars.ts';
export type { BadRowPolicy, SkippedRow } from '../../adapters/data/strict-row.ts';
export { ArrayBarSource } from '../../adapters/data/array-bar-source.ts';
export { FileReplaySource } from '../../adapters/data/file-replay-source.ts';
export { SyntheticBarSource } from '../../adapters/data/synthetic-bar-source.ts';
export { nextUntil, takeUntil } from './bar-source.ts';
export type { BarBatch, BarSource } from './bar-source.ts';
export type { FileReplaySourceOptions, SkippedFileRow } from '../../adapters/data/file-replay-source.ts';
export type { SyntheticBarSourceOptions } from '../../adapters/data/synthetic-bar-source.ts';
export { IngestStage, DEFAULT_MAX_STALENESS_MS } from './ingest-stage.ts';
export type { IngestStageOptions } from './ingest-stage.ts';
