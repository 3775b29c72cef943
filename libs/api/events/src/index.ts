export * from './events.module.js';
export * from './event-hub.service.js';
export * from './rooms.js';
export * from './entities/event.entity.js';
export * from './event-stream.service.js';
export * from './event-store.js';
