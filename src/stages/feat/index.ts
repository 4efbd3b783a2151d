// FEAT: exact streaming indicators and the feature stage.
export { fsum } from './fsum.ts';
export { Sma } from './sma.ts';
export { Ema, Smma, ExponentialSmoothing } from './ema.ts';
export { Rsi, rsiFrom } from './rsi.ts';
export { Atr } from './atr.ts';
export { CrossOver } from './crossover.ts';
export type { Cross } from './crossover.ts';
export type { StreamingIndicator } from './indicator.ts';
export { BAR_FIELDS, computeFeature, createFeatureStates, featureVersionOf, planFeatures, validateFeatureSpecs, warmupBarsOf } from './feature-spec.ts';
export type { BarField, BarIndicator, FeatureKind, FeaturePlan, FeatureSpec, FeatureState } from './feature-spec.ts';
export { FeatureStage, checkBar } from './feature-stage.ts';
export type { FeatureStageOptions } from './feature-stage.ts';
