import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import { freePort } from '../../src/chain/index.js';
import { workerCount } from '../../src/config/index.js';
import { closeDatabase, createDatabase } from '../../src/db/index.js';
import { approveSubject } from '../helpers/fixtures.js';
import { startProductionDependencies, type ProductionDependencies } from '../helpers/production.js';
import { eventually } from '../helpers/eventually.js';
import { spawnService } from '../helpers/serviceProcess.js';

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage: continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)!.push(instruction);
  }
  return stages;
}

const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const runtime = stages.at(-1)!;
const all = (keyword: string, stage = runtime) =>
  stage.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (keyword: string) => all(keyword).at(-1);
/** `ENV A=1 B=2` (and the old `ENV A 1`), in order; later values win. */
const imageEnv: Record<string, string> = Object.fromEntries(
  stages.flatMap((stage) =>
    all('ENV', stage).flatMap((args) =>
      args.includes('=')
        ? [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)].map(([, k, v]) => [
            k!,
            v!.replace(/^"|"$/g, ''),
          ])
        : [[args.split(/\s+/)[0]!, args.split(/\s+/).slice(1).join(' ')]],
    ),
  ),
);
const [uid, gid] = (last('USER') ?? '').split(':').map(Number) as [number, number];
const entrypoint = JSON.parse(last('ENTRYPOINT') ?? 'null') as string[] | null;
const healthcheck = last('HEALTHCHECK') ?? '';
const workdir = last('WORKDIR')!;

describe('the container image (Dockerfile)', () => {
  it('lint: pinned base images, a numeric non-root USER, no secrets in ENV or ARG, HOST=0.0.0.0, a HEALTHCHECK, exec-form ENTRYPOINT', () => {
    for (const [from] of stages.map((stage) => all('FROM', stage))) {
      const image = from!.split(/\s+/)[0]!;
      assert.match(
        image,
        /@sha256:[0-9a-f]{64}$|:\d+\.\d+\.\d+[^:]*$/,
        `${image}: pin the base image to a full version or a digest`,
      );
    }
    assert.ok(
      Number.isInteger(uid) && uid > 0 && Number.isInteger(gid),
      `USER ${last('USER')}: numeric, not root`,
    );
    for (const args of [...stages.flatMap((stage) => all('ENV', stage)), ...all('ARG')]) {
      assert.doesNotMatch(
        args,
        /KEY|SECRET|PASSWORD|TOKEN|_PIN|CREDENTIAL/i,
        `no secret in ENV/ARG: ${args}`,
      );
      assert.doesNotMatch(
        args,
        /0x[0-9a-f]{64}|:\/\/[^/\s]*:[^@\s]*@/i,
        `no key or password in ENV/ARG: ${args}`,
      );
    }
    assert.equal(imageEnv.HOST, '0.0.0.0');
    assert.match(healthcheck, /^(--\S+\s+)*CMD .*\/readyz/, 'HEALTHCHECK probes /readyz');
    assert.ok(Array.isArray(entrypoint), 'exec form: node is PID 1 and receives SIGTERM itself');
    const dataDir = imageEnv.CUSTOS_DATA_DIR!;
    assert.ok(path.isAbsolute(dataDir), 'CUSTOS_DATA_DIR is an absolute path in the image');
    assert.ok(
      all('RUN').some(
        (run) => run.includes(`mkdir -p ${dataDir}`) && run.includes(`chown ${uid}:${gid} ${dataDir}`),
      ),
      'the data directory exists and belongs to the USER',
    );
  });

  describe("the runtime stage's ENTRYPOINT, as its USER, on the production configuration", () => {
    const root = mkdtempSync(path.join(tmpdir(), 'custos-image-'));
    const app = path.join(root, workdir);
    const dataDir = path.join(root, imageEnv.CUSTOS_DATA_DIR!);
    const home = path.join(root, 'home', 'node');
    const marker = path.join(root, 'started');
    let dependencies: ProductionDependencies;

    before(async () => {
      chmodSync(root, 0o755);
      // /app as the runtime stage's COPY lines lay it out, owned by root. dist is compiled here exactly as the build
      // stage's `npm run build` does; the rest is linked from the worktree (node_modules with its development
      // dependencies too: this machine has no `npm prune` copy of it).
      mkdirSync(app, { recursive: true });
      // The workspace packages the service imports at run time (their dist, as `npm run build` makes it).
      for (const workspace of ['sdk', 'contracts']) {
        execFileSync(path.resolve('node_modules/.bin/tsc'), [
          '-p',
          `packages/${workspace}/tsconfig.build.json`,
        ]);
      }
      execFileSync(path.resolve('node_modules/.bin/tsc'), [
        '-p',
        'tsconfig.json',
        '--outDir',
        path.join(app, 'dist'),
      ]);
      for (const args of all('COPY')) {
        const [, source, target] = /^--from=build\s+\/app\/(\S+)\s+(\S+)$/.exec(args) ?? [];
        assert.ok(source && target, `COPY ${args}`);
        if (source === 'dist') continue;
        const destination = path.join(app, target.endsWith('/') ? path.basename(source) : target);
        mkdirSync(path.dirname(destination), { recursive: true });
        if (source === 'package.json') copyFileSync(source, destination);
        else symlinkSync(path.resolve(source), destination);
      }
      for (const dir of [dataDir, home]) {
        mkdirSync(dir, { recursive: true });
        chownSync(dir, uid, gid);
      }
      dependencies = await startProductionDependencies();
    });
    after(async () => {
      await dependencies?.stop();
      rmSync(root, { recursive: true, force: true });
    });

    const asUser = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
    /** The image's ENTRYPOINT as its USER, with the image's environment on this test's dependencies and `port`. */
    const runImage = (port: number) => {
      const env = {
        ...imageEnv,
        CUSTOS_DATA_DIR: dataDir, // the image's path, under this test's root
        PORT: String(port), // the image's 8080 may be taken here
        PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: home,
        ...dependencies.env,
      };
      const service = spawnService({
        command: asUser[0],
        args: [...asUser.slice(1), ...entrypoint!],
        env,
        cwd: app,
      });
      return { env, service };
    };

    it('starts, serves /readyz with one KMS DescribeKey per worker for every probe, attests, writes nothing anywhere, and stops with 0 on SIGTERM', async (t) => {
      const port = await freePort();
      writeFileSync(marker, '');
      const { env, service } = runImage(port);
      try {
        // With WORKERS (auto in the image) every worker says so too: the primary says it last, once all serve.
        await eventually('the primary serves', () =>
          service.lines.some(
            (l) => typeof l === 'object' && l.msg === 'custos is serving' && l.pid === service.child.pid,
          ),
        );
        const workers = service.lines.filter(
          (l) => typeof l === 'object' && l.msg === 'worker serving',
        ).length;
        const expected = workerCount({ WORKERS: imageEnv.WORKERS === 'auto' ? 'auto' : 1 });
        assert.equal(workers, expected > 1 ? expected : 0, 'the image runs one worker per core');
        const { configuration } = (await service.waitForLog('effective configuration')) as {
          configuration: { database: string; chain: string; settings: Record<string, unknown> };
        };
        assert.equal(configuration.database, 'external');
        assert.equal(configuration.chain, 'external');
        assert.equal(configuration.settings.HOST, '0.0.0.0');
        const password = new URL(dependencies.env.DATABASE_URL!).password;
        assert.ok(!JSON.stringify(service.lines).includes(password), 'no secret is logged');

        const url = `http://127.0.0.1:${port}`;
        const describeKeys = () => dependencies.kms.requests.DescribeKey ?? 0;
        const before = describeKeys();
        for (let i = 0; i < 3; i++) {
          const ready = await fetch(`${url}/readyz`);
          assert.equal(ready.status, 200, await ready.text());
        }
        // The image's HEALTHCHECK command, run as the image runs it.
        const probe = healthcheck.replace(/^(--\S+\s+)*CMD\s+/, '');
        execFileSync(asUser[0]!, [...asUser.slice(1), '/bin/sh', '-c', probe], {
          env,
          cwd: app,
          stdio: 'ignore',
        });
        const described = describeKeys() - before;
        // Each worker caches the signer's readiness for 60 s: at most one DescribeKey per worker for four probes.
        assert.ok(described >= 1 && described <= Math.max(workers, 1), `${described} DescribeKey calls`);

        const db = createDatabase(dependencies.env.DATABASE_URL!, 1);
        try {
          const { key } = await createApiKey(db, {
            tenantId: await ensureTenant(db, 'image'),
            role: 'dapp',
            label: 'image',
          });
          const subject = Wallet.createRandom().address;
          await approveSubject(db, subject);
          const attested = await fetch(`${url}/v1/attest`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ subject, policy: 'kyc-basic' }),
          });
          assert.equal(attested.status, 200, await attested.text());
        } finally {
          await closeDatabase(db);
        }
      } finally {
        assert.deepEqual(await service.stop(), { code: 0, signal: null }, service.stderr());
      }
      // (The AWS SDK also warns there that its 2027 releases need Node 22.)
      const said = service
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('custos:'));
      assert.deepEqual(said, ['custos: SIGTERM, shutting down']);

      // Everything the user created or changed since the start, wherever it could write.
      // (find's status is ignored: other processes' temporary files may vanish while it walks /tmp.)
      const written = spawnSync(
        'find',
        [
          root,
          '/tmp',
          '/var/tmp',
          '/dev/shm',
          process.cwd(),
          '-newer',
          marker,
          '-user',
          String(uid),
          '-print',
        ],
        { encoding: 'utf8' },
      ).stdout.trim();
      assert.equal(written, '', 'nothing written by the service');
      assert.deepEqual(readdirSync(dataDir), [], 'the data directory stays empty');
      assert.deepEqual(readdirSync(home), []);
      t.diagnostic(`ran ${entrypoint!.join(' ')} as ${uid}:${gid} in ${app}`);
    });

    it('a SIGTERM while the workers start stops them all and exits with 0', async () => {
      const { service } = runImage(await freePort());
      try {
        await service.waitForLog('worker serving'); // the first of them: the primary is still starting
      } finally {
        assert.deepEqual(await service.stop(), { code: 0, signal: null }, service.stderr());
      }
      assert.ok(service.stderr().includes('custos: SIGTERM, shutting down'), service.stderr());
    });
  });
});
