// Highest / lowest over n (Donchian) and Ichimoku against backtrader's series on both files.
import { describeFamily } from './backtrader-series.ts';

describeFamily('channels', ['highest', 'lowest', 'ichimoku']);
