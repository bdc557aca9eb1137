import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfigText, defaultConfigText, ConfigError, TFTP_STATIC_COMMAND, tftpStaticDir } from '@walt/core';
import { CliError } from '@walt/cli/cli-error';
import { missingPackages } from './debian-packages.js';
import { setUpTftpStatic, type TftpStaticOptions } from '../server/tftp-static-command.js';
import { PODMAN_SOCKET_UNIT, WALT_SERVER_UNIT, waltServerUnitText } from './systemd-units.js';

/** One step of the setup: what it does, said before it is done (also the --dry-run plan). */
export interface SetupStep {
  says: string;
  run(): void;
}

export interface SetupOptions {
  /** The system to set up ('/' for this machine; a temporary folder in tests). */
  root: string;
  /** walt-net for a new configuration file (unattended installs). */
  waltNetRawDevice?: string;
  waltNetIp?: string;
  /** Data dir to remove with --uninstall (else kept). */
  purge?: boolean;
  /** How tftp-static is built when missing: from Debian's packages (default), a tarball, or not at all (false). */
  tftpStatic?: TftpStaticPlan | false;
}

/** The source of a tftp-static the install builds (the options of 'walt-server-setup --tftp-static'). */
export type TftpStaticPlan = Omit<TftpStaticOptions, 'dataDir'>;

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface SetupPaths {
  configFile: string;
  unitFile: string;
  wantsLink: string;
  versionFile: string;
  dataDir: string;
}

export function setupPaths(root: string): SetupPaths {
  return {
    configFile: join(root, 'etc/walt/server.conf'),
    unitFile: join(root, 'etc/systemd/system', WALT_SERVER_UNIT),
    wantsLink: join(root, 'etc/systemd/system/multi-user.target.wants', WALT_SERVER_UNIT),
    versionFile: join(root, 'etc/walt/.installed-by-setup'),
    dataDir: join(root, 'var/lib/walt'),
  };
}

/** The configuration text for a new file: the embedded defaults, with walt-net from the flags. */
export function newConfigText(options: Pick<SetupOptions, 'waltNetRawDevice' | 'waltNetIp'>, file: string): string {
  let text = defaultConfigText();
  if (options.waltNetRawDevice !== undefined) {
    const dev = options.waltNetRawDevice === 'none' ? 'null' : options.waltNetRawDevice;
    text = text.replace(/^(\s+raw-device: )null(\s)/m, `$1${dev}$2`);
  }
  if (options.waltNetIp !== undefined) text = text.replace(/^(\s+ip: )\S+(\s+# server address)/m, `$1${options.waltNetIp}$2`);
  try {
    checkConfigText(text, file);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`walt-net flags: ${e.message}`, 'config-invalid');
    throw e;
  }
  return text;
}

function runOrFail(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error || r.status !== 0) throw new CliError(`${cmd} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}`);
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const readOrNull = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : null);
const linkExists = (p: string) => lstatSync(p, { throwIfNoEntry: false }) !== undefined;

/**
 * The steps still needed to install the server on `root`: each is present only if its effect is
 * missing, so a second run plans nothing (idempotent), and after an upgrade only what changed.
 */
export function installSteps(options: SetupOptions): { steps: SetupStep[]; leftToDo: string[] } {
  const root = resolve(options.root);
  const thisMachine = root === '/';
  const paths = setupPaths(root);
  const steps: SetupStep[] = [];
  const leftToDo: string[] = [];

  const packages = missingPackages(root);
  if (packages.length) {
    if (thisMachine) {
      steps.push({
        says: `install Debian packages: ${packages.join(' ')}`,
        run: () => {
          runOrFail('apt-get', ['update']);
          runOrFail('apt-get', ['install', '-y', '--no-install-recommends', ...packages]);
        },
      });
    } else leftToDo.push(`install Debian packages in ${root}: ${packages.join(' ')}`);
  }

  const existingConfig = readOrNull(paths.configFile);
  if (existingConfig === null) {
    const text = newConfigText(options, '/etc/walt/server.conf');
    const walt = options.waltNetRawDevice && options.waltNetRawDevice !== 'none' ? `walt-net on ${options.waltNetRawDevice}` : 'virtual-only walt-net';
    steps.push({ says: `write ${paths.configFile} (${walt})`, run: () => writeFile(paths.configFile, text) });
  } else if (options.waltNetRawDevice !== undefined || options.waltNetIp !== undefined) {
    leftToDo.push(`${paths.configFile} exists and was kept: change walt-net with 'walt-server-setup --edit-conf'`);
  }

  // Before the service starts, so that its first start finds the boards' files.
  const dataDir = configuredDataDir(root, paths, existingConfig ?? newConfigText(options, paths.configFile));
  const tftp = tftpStaticStep(dataDir, options.tftpStatic ?? {}, leftToDo);
  if (tftp) steps.push(tftp);
  else if (options.tftpStatic === false && !hasFiles(tftpStaticDir(dataDir))) leftToDo.push(`build tftp-static (Raspberry Pi boards without SD card): run '${TFTP_STATIC_COMMAND}'`);

  const unitText = waltServerUnitText({ node: process.execPath, waltServerBin: join(PACKAGE_ROOT, 'bin', 'walt-server.js'), configFile: '/etc/walt/server.conf' });
  const previousUnit = readOrNull(paths.unitFile);
  const unitChanged = previousUnit !== unitText;
  if (unitChanged) steps.push({ says: `install ${paths.unitFile}`, run: () => writeFile(paths.unitFile, unitText) });

  if (thisMachine) {
    if (unitChanged) steps.push({ says: 'reload systemd', run: () => runOrFail('systemctl', ['daemon-reload']) });
    const enabled = (unit: string) => spawnSync('systemctl', ['is-enabled', '--quiet', unit]).status === 0;
    const active = (unit: string) => spawnSync('systemctl', ['is-active', '--quiet', unit]).status === 0;
    for (const unit of [PODMAN_SOCKET_UNIT, WALT_SERVER_UNIT]) {
      if (!enabled(unit) || !active(unit)) steps.push({ says: `enable and start ${unit}`, run: () => runOrFail('systemctl', ['enable', '--now', unit]) });
    }
  } else if (!linkExists(paths.wantsLink)) {
    steps.push({ says: `enable ${WALT_SERVER_UNIT} in ${root}`, run: () => runOrFail('systemctl', [`--root=${root}`, 'enable', WALT_SERVER_UNIT]) });
  }

  // After an upgrade (another version installed the unit) the running server is the old code.
  const installedVersion = readOrNull(paths.versionFile)?.trim();
  const upgraded = installedVersion !== undefined && installedVersion !== VERSION;
  if (thisMachine && (upgraded || (unitChanged && previousUnit !== null))) {
    const why = upgraded ? `upgraded from ${installedVersion} to ${VERSION}` : 'its unit changed';
    steps.push({ says: `restart ${WALT_SERVER_UNIT} if running (${why})`, run: () => runOrFail('systemctl', ['try-restart', WALT_SERVER_UNIT]) });
  }
  if (installedVersion !== VERSION) {
    steps.push({ says: `record version ${VERSION} in ${paths.versionFile}`, run: () => writeFile(paths.versionFile, `${VERSION}\n`) });
  }

  if (!thisMachine) leftToDo.push(`start the service: this root is not the running system (${root})`);
  return { steps, leftToDo };
}

const hasFiles = (dir: string) => existsSync(dir) && readdirSync(dir).length > 0;

/**
 * The step that builds `<data dir>/tftp-static` (the files Raspberry Pi boards fetch before they are
 * registered), or null when the folder already has files: a tftp-static built before, or the
 * admin's own (--tftp-static --from-tarball), is never replaced by an install; '--tftp-static'
 * rebuilds it on demand. False (--no-tftp-static): not built. A failed build (no arm64 packages on
 * the mirror, no network) does not stop the install: PCs and virtual nodes do not need it, so the
 * error is said and the build is left to do.
 */
export function tftpStaticStep(dataDir: string, plan: TftpStaticPlan | false, leftToDo: string[] = []): SetupStep | null {
  const dir = tftpStaticDir(dataDir);
  if (plan === false || hasFiles(dir)) return null;
  const from = plan.fromTarball ? `from ${plan.fromTarball}` : "from Debian's packages (raspi-firmware, u-boot-rpi, linux-image-arm64: about 65 MB, downloaded once)";
  return {
    says: `build ${dir} ${from}`,
    run: () => {
      try {
        setUpTftpStatic({ ...plan, dataDir }, (l) => process.stdout.write(`  ${l}\n`));
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        process.stderr.write(`walt-server-setup: ${e.message}\n`);
        leftToDo.push(`build tftp-static (Raspberry Pi boards without SD card), which failed above: run '${TFTP_STATIC_COMMAND}' again`);
      }
    },
  };
}

/** The steps to remove what installSteps installed; the configuration and data stay unless purge. */
export function uninstallSteps(options: SetupOptions): { steps: SetupStep[]; leftToDo: string[] } {
  const root = resolve(options.root);
  const thisMachine = root === '/';
  const paths = setupPaths(root);
  const steps: SetupStep[] = [];
  const leftToDo: string[] = [];
  if (existsSync(paths.unitFile) || linkExists(paths.wantsLink)) {
    if (thisMachine) steps.push({ says: `stop and disable ${WALT_SERVER_UNIT}`, run: () => runOrFail('systemctl', ['disable', '--now', WALT_SERVER_UNIT]) });
    else if (linkExists(paths.wantsLink)) steps.push({ says: `disable ${WALT_SERVER_UNIT} in ${root}`, run: () => unlinkSync(paths.wantsLink) });
    if (existsSync(paths.unitFile)) steps.push({ says: `remove ${paths.unitFile}`, run: () => rmSync(paths.unitFile) });
    if (thisMachine) steps.push({ says: 'reload systemd', run: () => runOrFail('systemctl', ['daemon-reload']) });
  }
  if (existsSync(paths.versionFile)) steps.push({ says: `remove ${paths.versionFile}`, run: () => rmSync(paths.versionFile) });
  if (options.purge) {
    const dataDir = configuredDataDir(root, paths);
    if (existsSync(paths.configFile)) steps.push({ says: `remove ${paths.configFile}`, run: () => rmSync(paths.configFile) });
    if (existsSync(dataDir)) steps.push({ says: `remove the data dir ${dataDir} (images, logs, devices)`, run: () => rmSync(dataDir, { recursive: true, force: true }) });
  } else {
    for (const kept of [paths.configFile, paths.dataDir].filter((p) => existsSync(p))) leftToDo.push(`kept ${kept} (remove it too with --uninstall --purge)`);
  }
  leftToDo.push('Debian packages installed by setup are kept (other software may use them)');
  return { steps, leftToDo };
}

/** The data dir the configuration names (data-dir), under root; the default when the file does not say or is invalid. */
function configuredDataDir(root: string, paths: SetupPaths, text: string | null = readOrNull(paths.configFile)): string {
  if (text === null) return paths.dataDir;
  try {
    const dir = checkConfigText(text, paths.configFile, '/var/lib/walt').dataDir;
    return join(root, dir);
  } catch {
    return paths.dataDir;
  }
}

/** Print the plan; unless dryRun, run it step by step; then what is left to do. */
export function carryOut(plan: { steps: SetupStep[]; leftToDo: string[] }, dryRun: boolean, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  if (!plan.steps.length) write('walt-server-setup: nothing to do, the server is set up.');
  for (const step of plan.steps) {
    write(`${dryRun ? 'would ' : ''}${step.says}`);
    if (!dryRun) step.run();
  }
  for (const left of plan.leftToDo) write(`left to do: ${left}`);
}
