// Stochastic (slow and fast), Williams %R and CCI against backtrader's series on both files.
import { describeFamily } from './backtrader-series.ts';

describeFamily('range oscillators', ['stochastic', 'stochastic_fast', 'williamsr', 'cci']);
