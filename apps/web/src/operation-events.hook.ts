import { useEffect, useState } from 'react';
import { eventsUrl, getChildren, getOperation } from './api.client';
import { isTerminal, type OperationSnapshot } from './api.types';

/**
 * The live state of one operation from GET /operations/{id}/events: `update` events
 * replace the snapshot, `end` carries the terminal state and the stream is closed (EventSource
 * would reconnect otherwise). When the connection is refused (401 before a token is known, or the
 * API restarting), one GET reads the record (asking for the token if need be) and the stream is
 * opened again while the operation is still running.
 */
export function useOperationEvents(id: string | null, initial: OperationSnapshot | null = null): OperationSnapshot | null {
  const [snap, setSnap] = useState<OperationSnapshot | null>(initial);

  useEffect(() => {
    if (!id) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    const ctrl = new AbortController();

    const open = (): void => {
      if (stopped) return;
      source = new EventSource(eventsUrl(id));
      const onData = (ev: MessageEvent<string>, end: boolean): void => {
        setSnap(JSON.parse(ev.data) as OperationSnapshot);
        if (end) stop();
      };
      source.addEventListener('update', (ev) => onData(ev, false));
      source.addEventListener('end', (ev) => onData(ev, true));
      source.addEventListener('error', (ev) => {
        if (ev instanceof MessageEvent) {
          stop(); // `event: error` from the server: the record could not be read; a GET shows why
          void recover();
        } else if (source?.readyState === EventSource.CLOSED) {
          void recover();
        }
      });
    };
    const recover = async (): Promise<void> => {
      source?.close();
      try {
        const operation = await getOperation(id, ctrl.signal);
        const childId = operation.operation_type === 'agent_research' ? await currentChild(id, ctrl.signal) : null;
        setSnap({ operation, child: childId });
        if (!isTerminal(operation.status) && !stopped) retry = setTimeout(open, 1000);
      } catch {
        if (!stopped) retry = setTimeout(() => void recover(), 3000);
      }
    };
    const stop = (): void => {
      stopped = true;
      source?.close();
      if (retry) clearTimeout(retry);
    };
    open();
    return () => {
      stop();
      ctrl.abort();
    };
  }, [id]);

  return snap;
}

async function currentChild(id: string, signal: AbortSignal) {
  const children = await getChildren(id, signal);
  return children.at(-1) ?? null;
}
