/** The face swap demo: saveid + swapid on two pictures the demo draws, run as blocking calls. */
import fs from 'node:fs';
import path from 'node:path';
import { demoFace } from '../shared/demo-image.ts';
import { DemoFailed, failure, imageForm, jobFileStem, type DemoContext, type ProviderDemo } from '../shared/demo.ts';

/** InsightFaceSwap allows identity names of at most 10 characters. */
const DEMO_IDNAME = 'sbdemo';

async function run({ client, out, line, style, print }: DemoContext): Promise<string[]> {
  const face = demoFace(192, 0);
  const target = demoFace(192, 1);
  const facePath = path.join(out, 'demo-face.png');
  const targetPath = path.join(out, 'demo-target.png');
  fs.writeFileSync(facePath, face);
  fs.writeFileSync(targetPath, target);
  print(`${style.bold('Face swap')}  (pictures drawn for the demo: ${facePath}, ${targetPath})`);

  line.start(`faceswap saveid: saving the face as identity "${DEMO_IDNAME}"…`);
  const saved = await client.call('POST', '/v1/faceswap/saveid', imageForm({ idname: DEMO_IDNAME }, face, 'demo-face.png'));
  if (saved.status !== 200 || saved.json.status !== 'completed') throw failure('faceswap saveid', saved.status, saved.json);
  line.finish(`  ${style.green('✔')} saveid  completed in ${line.elapsedSeconds()}s`);

  line.start('faceswap swapid: swapping it onto the second picture…');
  const swapped = await client.call('POST', '/v1/faceswap/swapid', imageForm({ idname: DEMO_IDNAME }, target, 'demo-target.png'));
  if (swapped.status !== 200 || swapped.json.status !== 'completed') throw failure('faceswap swapid', swapped.status, swapped.json);
  const url = swapped.json.attachments?.[0]?.url;
  if (!url) throw new DemoFailed('faceswap swapid completed without a result attachment');
  const elapsed = line.elapsedSeconds();
  const file = path.join(out, `faceswap-${jobFileStem(String(swapped.json.jobid))}.png`);
  line.set('faceswap swapid: downloading the result…');
  const size = await client.download(url, file);
  line.finish(`  ${style.green('✔')} swapid  completed in ${elapsed}s → ${file} (${size} bytes)`);
  return [file];
}

export const faceswapDemo: ProviderDemo = {
  summary: 'a face swap (saveid + swapid on pictures the demo draws)',
  saves: ['faceswap-<job>.png'],
  // A guild text channel: the account names its server too.
  account: (simulated) => ({
    channel: simulated.channelId,
    body: { discord: simulated.user.token, server: simulated.guildId, channel: simulated.channelId },
  }),
  run,
};
