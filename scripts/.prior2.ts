import { readFileSync } from 'node:fs';
import { routerProbabilities, expectedGains, routerProposal } from '../src/core/router/router';
import { ROUTER_CLASSES } from '../src/core/router/classes';
const cal = JSON.parse(readFileSync('campaign/zoo-full/router/calibration.json','utf8'));
const T = cal.temperature;
const shift = (p: any, q: number) => { const w: any = {}; let s = 0; for (const c of ROUTER_CLASSES) { w[c] = p[c] * (c === 'clean' ? 12 * q : 12 * (1 - q) / 11); s += w[c]; } for (const c of ROUTER_CLASSES) w[c] /= s; return w; };
const crops = cal.crops.filter((c:any)=>c.kind==='in');
const corr = (a:number[], b:number[]) => { const ma=a.reduce((s,x)=>s+x,0)/a.length, mb=b.reduce((s,x)=>s+x,0)/b.length; let sab=0,saa=0,sbb=0; for (let i=0;i<a.length;i++){sab+=(a[i]-ma)*(b[i]-mb);saa+=(a[i]-ma)**2;sbb+=(b[i]-mb)**2;} return sab/Math.sqrt(saa*sbb); };
for (const q of [1/12, 0.25, 0.5]) {
  let kept=0,n=0; const none: Record<string,number>={}; const pred:number[]=[], meas:number[]=[]; let sumAuto=0,nd=0,worse=0;
  for (const c of crops) { const p = shift(routerProbabilities(c.logits,T), q); const eg = expectedGains(p, cal.gain); const prop = routerProposal(p, eg, 0.5);
    const g = prop.model==='none'?0:c.gains[prop.model];
    if (c.source==='clean') { n++; if (prop.model==='none') kept++; } else { nd++; sumAuto+=g; if (g<0) worse++; if (prop.model==='none') none[c.source]=(none[c.source]??0)+1; pred.push(prop.expectedGain); meas.push(g); } }
  console.log(q.toFixed(3), `clean kept ${kept}/${n}`, 'auto', (sumAuto/nd).toFixed(3), 'worse', worse, 'r', corr(pred,meas).toFixed(3), JSON.stringify(none));
}
