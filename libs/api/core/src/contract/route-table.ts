import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import type { RouteDef } from '@cockpit/contracts';
import { ROUTE_DEF } from './route.decorator.js';

export interface BoundRoute {
  controller: string;
  handler: string;
  method: string;
  path: string;
  def?: RouteDef;
}

/** Every HTTP handler the application exposes, with the contract it is bound to (if any). */
export function listRoutes(app: INestApplication): BoundRoute[] {
  const discovery = app.get(DiscoveryService);
  const scanner = new MetadataScanner();
  const reflector = app.get(Reflector);
  const routes: BoundRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance) continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    const prefix = String(Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object) ?? '');
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      routes.push({
        controller: wrapper.name,
        handler: name,
        method: RequestMethod[method].toLowerCase(),
        path: `/${[prefix, path].filter(Boolean).join('/')}`.replace(/\/+/g, '/'),
        def: reflector.get<RouteDef | undefined>(ROUTE_DEF, handler),
      });
    }
  }
  return routes;
}
