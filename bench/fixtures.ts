/** The apps the bench builds: the example's Spring Boot web app, and a service shaped like a real one. */

export interface Fixture {
  id: string;
  /** The table's "app" column. */
  title: string;
  /** Copied into a fresh git repository (a path from the repository root). */
  source: string;
  /** The jar Maven writes, for the hand-run's `--build-arg JAR_FILE=` when the Dockerfile's default misses it. */
  jarArg?: string;
  /** The one-line change: a string in a controller. */
  changeFile: string;
  changeFrom: RegExp;
  changeTo: (n: string) => string;
}

export const FIXTURES: Fixture[] = [
  {
    id: 'example',
    title: 'example/: Spring Boot 3.5 web app (spring-boot-starter-web)',
    source: 'example',
    // the tutorial Dockerfile's default ARG JAR_FILE=./*.jar matches nothing (Maven writes target/)
    jarArg: 'target/hello-service-1.0.0.jar',
    changeFile: 'src/main/java/com/acme/hello/HelloController.java',
    changeFrom: /"Hello from image-publish[^"]*"/,
    changeTo: (n) => `"Hello from image-publish, ${n}"`,
  },
  {
    id: 'service',
    title: 'bench/fixtures/service: Spring Boot 3.5 service (80 jars, JPA, checkstyle, spotless, jacoco)',
    source: 'bench/fixtures/service',
    changeFile: 'src/main/java/com/acme/orders/web/GreetingController.java',
    changeFrom: /"Hello from the orders service[^"]*"/,
    changeTo: (n) => `"Hello from the orders service, ${n}"`,
  },
];

/** BENCH_FIXTURES=example,service (the default: both). */
export function selectedFixtures(env: string | undefined): Fixture[] {
  if (!env) return FIXTURES;
  const ids = env.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !FIXTURES.some((f) => f.id === id));
  if (unknown.length) throw new Error(`BENCH_FIXTURES: unknown fixture(s) ${unknown.join(', ')}; known: ${FIXTURES.map((f) => f.id).join(', ')}`);
  return FIXTURES.filter((f) => ids.includes(f.id));
}
