// MACD, PPO, momentum and rate of change against backtrader's series on both data files.
import { describeFamily } from './backtrader-series.ts';

describeFamily('momentum oscillators', ['macd', 'ppo', 'momentum', 'roc']);
