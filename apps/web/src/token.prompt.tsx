import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import { tokenGate } from './token.gate';

/** The API token question: a modal dialog shown when the API answers 401. */
export function TokenPrompt() {
  const state = useSyncExternalStore(tokenGate.subscribe, tokenGate.snapshot);
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (state.asking && !d.open) d.showModal();
    if (!state.asking && d.open) d.close();
  }, [state.asking]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    tokenGate.provide(value.trim());
    setValue('');
  };

  return (
    // Escape would leave the page without access; the question stays until it is answered.
    <dialog ref={dialog} className="token-dialog" aria-labelledby="token-title" onCancel={(e) => e.preventDefault()} data-testid="token-dialog">
      <form onSubmit={submit}>
        <h2 id="token-title">API token required</h2>
        <p>
          This ktrdr API is protected by <code>KTRDR_API_TOKEN</code>. Enter the token once; this browser keeps it.
        </p>
        {state.rejected && (
          <p className="error-note" role="alert">
            The API did not accept that token.
          </p>
        )}
        <div className="field">
          <label htmlFor="token-input">Token</label>
          <input id="token-input" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} autoFocus required />
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Use token
          </button>
        </div>
      </form>
    </dialog>
  );
}
