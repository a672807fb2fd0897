// nginx in front of the bench's instances (`--instances 2`): started by the bench as a child process
// (not a daemon) with its own configuration in a temporary directory, on a free loopback port, and
// stopped at the end. Round robin over the upstreams, no sticky sessions (a Deskbell session works
// on any instance), the proxy settings of docs/examples/nginx.conf: pages buffered as nginx does by
// default, the live streams (server-sent events) not.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort, type Served } from './process.js';

/** The nginx binary: `wanted` if given, else the first on the PATH or in the sbin directories. Null if none. */
export function findNginx(wanted?: string): string | null {
  const candidates = wanted ? [wanted] : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin']
    .map((dir) => join(dir, 'nginx'));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }) ?? null;
}

/** "nginx 1.22.1" (nginx -v prints on stderr). */
export function nginxVersion(binary: string): string {
  const version = /nginx\/(\S+)/.exec(spawnSync(binary, ['-v'], { encoding: 'utf8' }).stderr ?? '')?.[1];
  return version ? `nginx ${version}` : 'nginx';
}

export function nginxConfig(port: number, upstreams: string[], dir: string): string {
  const servers = upstreams.map((url) => `    server ${new URL(url).host};`).join('\n');
  return `# Written by the Deskbell bench (bench/nginx.ts) for one run.
daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  # Which instance answered each request, to show how the load was spread.
  log_format upstream '$upstream_addr';
  access_log ${join(dir, 'upstream.log')} upstream buffer=64k;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  upstream deskbell {
${servers}
    # Idle connections kept to the instances (the example has 16): enough for 50 clients at once.
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    # As docs/examples/nginx.conf (without TLS): keep-alive to the instances, the client's address.
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Request-Id $request_id;
    location / {
      proxy_pass http://deskbell;
    }
    location ~ ^/(agent|portal)/tickets/[0-9]+/live$ {
      proxy_pass http://deskbell;
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
    }
  }
}
`;
}

/** nginx on a free loopback port in front of `upstreams`, answering once `healthPath` does through it. */
export async function startNginx(binary: string, upstreams: string[], dir: string, healthPath: string): Promise<Served> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(port, upstreams, dir));
  const started = performance.now();
  // -e: the error log before the configuration is read (the default one may not be writable).
  const child = spawn(binary, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    if (await fetch(url + healthPath).then((res) => res.status === 200, () => false)) break;
    if (performance.now() - started > 10_000) {
      child.kill('SIGTERM');
      throw new Error(`nginx did not answer within 10 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    url, pid: child.pid!, startupMs: performance.now() - started,
    // SIGQUIT: nginx's graceful stop (finish the requests in hand, then exit).
    stop: () => (child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGQUIT'); })),
  };
}

/** Requests each upstream (host:port) answered, from the log of a stopped nginx started in `dir`. */
export function requestsPerUpstream(dir: string): Record<string, number> {
  const file = join(dir, 'upstream.log');
  const counts: Record<string, number> = {};
  if (!existsSync(file)) return counts;
  // "a, b" when nginx passed a request on to the next upstream after a failure.
  for (const line of readFileSync(file, 'utf8').split('\n')) for (const host of line.split(', ')) if (host && host !== '-') counts[host] = (counts[host] ?? 0) + 1;
  return counts;
}

/** What nginx wrote to its error log (warnings and worse), e.g. responses spilled to temporary files. */
export function nginxErrors(dir: string): string[] {
  const file = join(dir, 'error.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}
