// DMI/ADX and Aroon against backtrader's series on both data files.
import { describeFamily } from './backtrader-series.ts';

describeFamily('directional', ['dmi', 'aroon']);
