import { clearToken, readToken, saveToken } from './token.store';

/**
 * Asking for the token once: every request that meets a 401 waits on the same pending question,
 * the prompt (token.prompt.tsx) answers it, and the requests retry with the token.
 */
export interface TokenGateState {
  asking: boolean;
  /** True when a token was sent and the API still answered 401. */
  rejected: boolean;
}

let state: TokenGateState = { asking: false, rejected: false };
let memoryToken: string | null = null;
let pending: Promise<void> | null = null;
let answer: (() => void) | null = null;
const listeners = new Set<() => void>();

function set(next: TokenGateState): void {
  state = next;
  listeners.forEach((l) => l());
}

export const tokenGate = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot: (): TokenGateState => state,
  token: (): string | null => memoryToken ?? readToken(),

  /** Called on a 401: forget a token the API refused, ask (once for all callers), resolve when answered. */
  request(sentToken: string | null): Promise<void> {
    if (sentToken !== null && sentToken === tokenGate.token()) {
      memoryToken = null;
      clearToken();
    }
    if (!pending) {
      pending = new Promise<void>((resolve) => (answer = resolve));
      set({ asking: true, rejected: sentToken !== null });
    }
    return pending;
  },

  provide(token: string): void {
    memoryToken = token;
    saveToken(token);
    pending = null;
    set({ asking: false, rejected: false });
    answer?.();
    answer = null;
  },
};
