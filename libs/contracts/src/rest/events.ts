import { z } from 'zod';
import { ScopePath } from '../auth/permissions.js';
import { defineRoute } from './route.js';

export const followEvents = defineRoute({
  id: 'followEvents',
  method: 'get',
  path: '/api/events',
  summary: 'Follow live events as Server-Sent Events (for clients that do not speak socket.io)',
  description:
    'A `text/event-stream`: each message has `id:` (the sequence), `event:` (the type) and `data:` (the event as JSON, as on socket.io). Send `since` (or the standard `Last-Event-ID` header) to get what you missed first; when that is older than the replay window (1 h) the first message is `event: resync`. Only events about objects you may view are sent. Stats frames are not sent here (read metrics over REST). Access is re-checked every few seconds and whenever access changes: when your session ends, your token is revoked or you may no longer view the scope, the stream sends `event: error` and ends. At most 8 streams per session or token.',
  tag: 'Events',
  access: 'authenticated',
  query: z.object({
    since: z.coerce.number().int().nonnegative().optional(),
    scope: z
      .union([ScopePath, z.array(ScopePath).max(100)])
      .optional()
      .meta({ description: 'Scopes to follow (repeat the parameter for several); default `/`: everything you may view' }),
  }),
  response: z.string(),
  produces: 'text/event-stream',
  errors: [429],
});

export const eventRoutes = [followEvents] as const;
