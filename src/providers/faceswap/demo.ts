/** The face swap demo: saveid + swapid on two pictures the demo draws, run as blocking calls. */
import fs from 'node:fs';
import path from 'node:path';
import { demoFace } from '../shared/demo-image.ts';
import { failure, imageForm, jobFileStem, saveFirstAttachment, type DemoContext, type ProviderDemo } from '../shared/demo.ts';

/** InsightFaceSwap allows identity names of at most 10 characters. */
const DEMO_IDNAME = 'sbdemo';

async function run(ctx: DemoContext): Promise<string[]> {
  const { client, out, line, style, print } = ctx;
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
  return [await saveFirstAttachment(ctx, swapped.json, 'faceswap swapid', 'swapid', 'a result', path.join(out, `faceswap-${jobFileStem(String(swapped.json.jobid))}.png`))];
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
