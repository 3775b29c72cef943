import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '@cockpit/api-core';
import { PeerRef } from '@cockpit/contracts';
import { HostsService } from './hosts.service.js';

const Manifest = z.object({
  hosts: z.array(z.object({ url: PeerRef.shape.url, token: z.string(), fingerprint: PeerRef.shape.fingerprint })),
});

/**
 * `npm start` runs a demo fleet and passes its manifest (written by the fleet on this machine, so
 * its fingerprints are trusted as given); hosts not enrolled yet are enrolled at start.
 */
@Injectable()
export class DemoFleetService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Hosts');

  constructor(
    private readonly hosts: HostsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoFleetManifest) return;
    const manifest = Manifest.parse(JSON.parse(await readFile(this.config.demoFleetManifest, 'utf8')));
    const enrolled = await this.hosts.enrolledUrls();
    for (const host of manifest.hosts) {
      if (enrolled.has(host.url)) continue;
      try {
        await this.hosts.enroll(host.url, host.token, host.fingerprint);
      } catch (error) {
        // Another instance may have enrolled it meanwhile; anything else is worth a line.
        this.logger.warn(`Demo host ${host.url} not enrolled: ${(error as Error).message}`);
      }
    }
  }
}
