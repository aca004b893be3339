import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

const DOCKER = join(__dirname, '..', 'docker');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function manifests(): Manifest[] {
  const dir = join(DOCKER, 'k8s');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJS() as Manifest));
}

describe('deployment files', () => {
  it('lists every Kubernetes manifest in the kustomization, and each one is valid against its schema', () => {
    const kustomization = parse(readFileSync(join(DOCKER, 'k8s', 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect(kustomization.resources.sort()).toEqual(
      readdirSync(join(DOCKER, 'k8s'))
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
    for (const manifest of manifests()) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(manifest as never).validate()).not.toThrow();
    }
  });

  it('runs at least two stateless replicas probed on the health routes, with migrations in a Job', () => {
    const all = manifests();
    const deployment = all.find((m) => m.kind === 'Deployment') as unknown as Deployment;
    expect(deployment.spec!.replicas).toBeGreaterThanOrEqual(2);
    const container = deployment.spec!.template.spec!.containers[0];
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'MIGRATIONS_RUN', value: 'false' }]));

    const secret = all.find((m) => m.kind === 'Secret') as unknown as Secret;
    const secretKeys = container
      .env!.filter((e) => e.valueFrom?.secretKeyRef)
      .map((e) => e.valueFrom!.secretKeyRef!.key);
    expect(Object.keys(secret.stringData ?? {})).toEqual(expect.arrayContaining(secretKeys));
    expect(secretKeys).toEqual(expect.arrayContaining(['DATABASE_URL', 'BOOTSTRAP_ADMIN_PASSWORD', 'JWT_PRIVATE_KEY']));

    const job = all.find((m) => m.kind === 'Job') as unknown as Job;
    expect(job.spec!.template.spec!.containers[0].command).toEqual(expect.arrayContaining(['migration:run']));
  });

  it('composes MySQL, one migration run, two replicas and a load balancer', () => {
    const compose = parse(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<
        string,
        {
          deploy?: { replicas?: number };
          depends_on?: Record<string, { condition: string }>;
          environment?: Record<string, string>;
          command?: string[];
        }
      >;
    };
    const { mysql, migrate, roster, nginx } = compose.services;
    expect(mysql).toBeDefined();
    expect(migrate.command).toEqual(expect.arrayContaining(['migration:run']));
    expect(roster.deploy?.replicas).toBe(2);
    expect(roster.environment?.MIGRATIONS_RUN).toBe('false');
    expect(roster.depends_on?.migrate.condition).toBe('service_completed_successfully');
    expect(nginx.depends_on?.roster).toBeDefined();
    expect(readFileSync(join(DOCKER, 'nginx.conf'), 'utf8')).toMatch(/server roster:3000/);
  });
});
