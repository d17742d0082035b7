/**
 * Device agent errors. Codes: `agent.state` (state dir unreadable or corrupt), `agent.card`
 * (card identity unreadable), `agent.bootstrap` (no usable bootstrap), `agent.dm` (DM session
 * failed: server not authenticated, refused, unreachable), `agent.connectivity` (network hook failed). Messages never hold secrets or nonces.
 */
import { SimdmError } from '../errors.js';

export type AgentErrorCode = 'agent.state' | 'agent.card' | 'agent.bootstrap' | 'agent.dm' | 'agent.connectivity';

export class AgentError extends SimdmError {
  declare readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
