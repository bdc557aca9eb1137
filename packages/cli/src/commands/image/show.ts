import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { columnate, paragraph, printJson } from '../../output/table.js';

interface ImageRow {
  user: string;
  name: string;
  fullname: string;
  inUse: boolean;
  created: number;
  compatibility: string;
  clonableLink: string;
  problems: string[];
}

interface Listing {
  images: ImageRow[];
  others: ImageRow[];
  defaults: ImageRow[];
  messages: string[];
}

/** Local time as the original prints it: YYYY-MM-DD HH:MM:SS. */
function localTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "rpi-[3-b,4-b]", flagged with (!) when the image is not usable as is. */
function compatibility(r: ImageRow): string {
  return r.problems.length ? `${r.compatibility} (!)` : r.compatibility;
}

/** `walt image show [--all] [--refresh] [--names-only] [--json]`. */
export function registerImageShow(image: Command, ctx: CliContext): void {
  image
    .command('show')
    .description('display your working set of images')
    .option('--all', 'all images of the platform')
    .option('--refresh', 'resync with the image engine')
    .option('--names-only', 'print names only')
    .option('--json', 'print as JSON')
    .action(async (opts: { all?: boolean; refresh?: boolean; namesOnly?: boolean; json?: boolean }) => {
      if (opts.all && opts.namesOnly) throw new CliError('--all and --names-only are mutually exclusive.');
      const api = await ctx.api();
      const listing = await api.get<Listing>(`/api/v1/images?all=${opts.all ? 1 : 0}&refresh=${opts.refresh ? 1 : 0}`);
      if (opts.json) return printJson(listing);
      if (opts.namesOnly) return ctx.out(listing.images.map((r) => r.name).join('\n'));
      let text = listing.messages.map((m) => m + '\n').join('');
      const footnotes: string[] = [];
      if (listing.images.length) {
        const rows = listing.images.map((r) => [r.name, r.inUse ? 'True' : 'False', localTime(r.created), compatibility(r)]);
        const flagged = listing.images.filter((r) => r.problems.length);
        const note = flagged.length
          ? `(!) not usable as is: ${flagged.map((r) => `${r.name}: ${r.problems.join(', ')}`).join('; ')}.`
          : undefined;
        text += paragraph('Your working set is made of the following images:', columnate(['name', 'in-use', 'created', 'compatibility'], rows), note);
      } else {
        footnotes.push(opts.all || listing.others.length + listing.defaults.length ? 'Your working set is empty.' : 'No OS images found!');
      }
      if (opts.all) {
        if (listing.others.length) {
          text += paragraph(
            'Other users of this platform have created the following images:',
            columnate(['user', 'name', 'created', 'clonable-link'], listing.others.map((r) => [r.user, r.name, localTime(r.created), r.clonableLink])),
          );
        }
        if (listing.defaults.length) {
          text += paragraph('The following are default OS images:', columnate(['name', 'created', 'clonable-link'], listing.defaults.map((r) => [r.name, localTime(r.created), r.clonableLink])));
        }
        if (listing.others.length || listing.defaults.length) footnotes.push("Use 'walt image clone <clonable_link>' to clone an image\ninto your working set.");
        footnotes.push("Use 'walt image search [<keyword>]' to search for images\non remote registries.");
      } else footnotes.push('Re-run with --all to see all OS images on this platform.');
      ctx.out((text + (text.endsWith('\n\n') || !text ? '' : '\n') + footnotes.join('\n')).trimEnd());
    });
}
