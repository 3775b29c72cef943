import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useEffectEvent, useState, useSyncExternalStore, type ReactNode } from 'react';
import { keepQueryCacheCurrent } from './live-cache.js';
import type { CockpitEvent } from '@cockpit/contracts';
import { connectToEventHub, LiveEvents, type ConnectLiveSocket, type LiveConnection, type StatsFrame } from './live-events.js';

/** How a LiveEventsProvider below opens its socket: socket.io by default; tests provide a fake here. */
export const LiveSocketContext = createContext<ConnectLiveSocket>(connectToEventHub);

const LiveEventsContext = createContext<LiveEvents | null>(null);

interface LiveEventsProviderProps {
  /** Overrides LiveSocketContext; read once, when the provider mounts. */
  connect?: ConnectLiveSocket;
  children: ReactNode;
}

/**
 * Opens the live connection to the event hub while mounted (once, in the signed-in shell) and keeps
 * the query cache current from it.
 */
export function LiveEventsProvider({ connect, children }: LiveEventsProviderProps) {
  const connectFromContext = useContext(LiveSocketContext);
  const queryClient = useQueryClient();
  const [live] = useState(() => new LiveEvents(connect ?? connectFromContext));
  useEffect(() => {
    const stopCacheUpkeep = keepQueryCacheCurrent(live, queryClient);
    live.start();
    return () => {
      stopCacheUpkeep();
      live.stop();
    };
  }, [live, queryClient]);
  return <LiveEventsContext value={live}>{children}</LiveEventsContext>;
}

const NOT_STARTED: LiveConnection = { status: 'offline', problem: 'Live updates are not started' };
const noSubscription = () => () => undefined;

/** The state of the live connection, for a status badge. */
export function useLiveConnection(): LiveConnection {
  const live = useContext(LiveEventsContext);
  return useSyncExternalStore(live?.onConnectionChange ?? noSubscription, () => live?.connection ?? NOT_STARTED);
}

/** Calls `onFrame` with each stats frame of the host while mounted (nothing outside a LiveEventsProvider). */
export function useStatsFrames(hostId: string | undefined, onFrame: (frame: StatsFrame) => void): void {
  const live = useContext(LiveEventsContext);
  const handleFrame = useEffectEvent(onFrame);
  useEffect(() => {
    if (!live || !hostId) return;
    return live.onStats(hostId, (frame) => handleFrame(frame));
  }, [live, hostId]);
}

/**
 * Calls `onEvent` with every live event (stats frames included) while mounted, for a page that
 * shows what happens as it happens (a VM's events). Nothing outside a LiveEventsProvider.
 */
export function useLiveEvents(onEvent: (event: CockpitEvent) => void): void {
  const live = useContext(LiveEventsContext);
  const handleEvent = useEffectEvent(onEvent);
  useEffect(() => {
    if (!live) return;
    return live.onEvent((event) => handleEvent(event));
  }, [live]);
}
