import { Body, Controller, Param } from '@nestjs/common';
import { Route } from '@cockpit/api-core';
import { enrollHost, getHost, listHosts, removeHost, trustHost, updateHost } from '@cockpit/contracts';
import { HostsService, toHost } from './hosts.service.js';

@Controller()
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @Route(enrollHost)
  async enroll(@Body() body: { url: string; token: string; fingerprint?: string }) {
    return toHost(await this.hosts.enroll(body.url, body.token, body.fingerprint));
  }

  @Route(trustHost)
  async trust(@Param('hostId') hostId: string, @Body() body: { fingerprint: string }) {
    return toHost(await this.hosts.trust(hostId, body.fingerprint));
  }

  @Route(listHosts)
  async list() {
    return (await this.hosts.list()).map(toHost);
  }

  @Route(getHost)
  async get(@Param('hostId') hostId: string) {
    return toHost(await this.hosts.get(hostId));
  }

  @Route(updateHost)
  async update(@Param('hostId') hostId: string, @Body() body: { enabled: boolean }) {
    return toHost(await this.hosts.setEnabled(hostId, body.enabled));
  }

  @Route(removeHost)
  async remove(@Param('hostId') hostId: string) {
    await this.hosts.remove(hostId);
    return { removed: true as const };
  }
}
