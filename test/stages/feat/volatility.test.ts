// Standard deviation and Bollinger Bands against backtrader's series on both data files.
// These two are the only ones not bit for bit: backtrader squares with libm's pow(), which
// is not correctly rounded in near-halfway cases (3846.3020000000006 ** 2 on bar 64 of
// 2006-day-001 is one unit in the last place below the exact x * x we compute), and the
// variance SMA(x^2) - SMA(x)^2 subtracts two nearly equal numbers, so that last bit shows
// as about 1e-12 relative in the deviation. The bands stay well inside the tolerance.
import { describeFamily } from './backtrader-series.ts';

describeFamily('volatility', ['stddev', 'bollinger']);
