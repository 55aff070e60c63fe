import { useCallback, useEffect, useState } from 'react';
import { api } from './api.client';
import type { AgentStatus } from './api.types';
import { ActiveCycleCard } from './active-cycle.card';
import { TriggerForm } from './trigger.form';
import { ErrorNote, Section } from './ui.components';

/** How often the list of active cycles is re-read, to pick up cycles started elsewhere (CLI, another tab). Progress itself is pushed by the event streams. */
const STATUS_EVERY_MS = 5000;

export function NowView() {
  const [watched, setWatched] = useState<string[]>([]);
  const [capacity, setCapacity] = useState<AgentStatus['capacity'] | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const add = useCallback((ids: string[]) => setWatched((w) => [...w, ...ids.filter((id) => !w.includes(id))]), []);

  const [refreshes, setRefreshes] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    const read = async (): Promise<void> => {
      try {
        const s = await api<AgentStatus>('GET', '/agent/status', undefined, ctrl.signal);
        add(s.active_researches.map((r) => r.operation_id));
        setCapacity(s.capacity);
        setError(null);
      } catch (e) {
        if (!ctrl.signal.aborted) setError(e);
      } finally {
        if (!ctrl.signal.aborted) setLoaded(true);
      }
    };
    void read();
    const t = setInterval(() => document.visibilityState === 'visible' && void read(), STATUS_EVERY_MS);
    return () => {
      clearInterval(t);
      ctrl.abort();
    };
  }, [add, refreshes]);

  return (
    <>
      <Section title="Start a research cycle" id="trigger">
        <TriggerForm
          onStarted={(id) => {
            add([id]);
            setRefreshes((n) => n + 1); // the slot count changed
          }}
        />
      </Section>
      <Section
        title="Active cycles"
        id="active"
        actions={capacity && <span className="muted small">{`${capacity.active} of ${capacity.limit} slot${capacity.limit === 1 ? '' : 's'} in use`}</span>}
      >
        <ErrorNote error={error} />
        {loaded && watched.length === 0 && (
          <p className="muted" data-testid="no-active">
            No research cycle is running.
          </p>
        )}
        <div className="cycle-list">
          {watched.map((id) => (
            <ActiveCycleCard
              key={id}
              id={id}
              onFinished={() => setRefreshes((n) => n + 1)}
              onDismiss={(gone) => setWatched((w) => w.filter((x) => x !== gone))}
            />
          ))}
        </div>
      </Section>
    </>
  );
}
