// Arithmetic between features, as backtrader's line operations: a - b, a / b, factor * x.
// Stateless: a value on every bar where the inputs have one. A ratio over a zero
// denominator is not finite (backtrader raises ZeroDivisionError) and FEAT refuses it,
// naming the feature.

export const difference = (a: number, b: number): number => a - b;
export const ratio = (a: number, b: number): number => a / b;
export const scale = (factor: number, x: number): number => factor * x;
