// Arithmetic between features (difference, ratio, scale, lag) against backtrader's line
// operations on both data files, on bar fields and on other features (EMA, SMA, RSI).
import { describeFamily } from './backtrader-series.ts';

describeFamily('arithmetic between features', ['diff', 'ratio', 'scale', 'lag']);
