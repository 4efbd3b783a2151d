// ING: data sources, CSV normalization, the ingest stage.
export { CsvBarReader, parseBarsCsv, readBarsFile, symbolFromPath, parseIsoDate, dateBoundMs } from '../../adapters/data/csv-bars.ts';
export type { BadRowPolicy, CsvBarsOptions, ParsedBars, SkippedRow } from '../../adapters/data/csv-bars.ts';
export { ArrayBarSource, FileReplaySource, SyntheticBarSource, nextUntil, takeUntil } from '../../adapters/data/data-source.ts';
export type { BarBatch, BarSource, FileReplaySourceOptions, SkippedFileRow, SyntheticBarSourceOptions } from '../../adapters/data/data-source.ts';
export { IngestStage, DEFAULT_MAX_STALENESS_MS } from './ingest-stage.ts';
export type { IngestStageOptions } from './ingest-stage.ts';
