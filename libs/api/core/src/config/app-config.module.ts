import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@cockpit/api-config';
import { SECRET_BOX, SecretBox } from '../secrets/secret-box.js';

/** Injection token of the validated, frozen configuration read once at boot. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SECRET_BOX, useFactory: () => SecretBox.fromConfig(config) },
      ],
      exports: [APP_CONFIG, SECRET_BOX],
    };
  }
}
