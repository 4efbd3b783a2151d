// Hard block: nothing trades while the kill switch is active (enforcement point #2).

import { PASS, deny, type RiskPolicy } from '../policy.ts';

export const killSwitchPolicy: RiskPolicy = {
  id: 'kill-switch',
  evaluate: (_signal, ctx) => (ctx.killActive ? deny('RISK.KILL.ACTIVE', 'kill switch active') : PASS),
};
