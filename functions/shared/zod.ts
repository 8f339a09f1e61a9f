/**
 * zod's tree-shakable build (`zod/mini`) with English messages. The classic `zod` entry carries every
 * locale into each bundle (about 450 KB per handler); this one costs a few tens of KB, which is cold-start
 * time saved on every step of every release.
 *
 * Everything in functions/ imports zod as `import * as z from '<path>/zod'`, never from 'zod' and never
 * re-exported as an object: esbuild drops the parts a bundle does not use only for a namespace import it
 * can see through.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
