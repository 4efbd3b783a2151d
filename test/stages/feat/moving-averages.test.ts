// WMA, DEMA, TEMA, KAMA, HMA, ZLEMA against backtrader's series on both data files.
import { describeFamily } from './backtrader-series.ts';

describeFamily('moving averages', ['wma', 'dema', 'tema', 'kama', 'hma', 'zlema']);
