// `lab trust`: how to trust the lab CA per OS and browser, and how to undo it; changes nothing by itself.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../lib/errors.ts';
import { displayPath } from '../../lib/paths.ts';
import type { Session } from '../session.ts';
import { LAB_CA_CN, LAB_CA_NAME } from '../../pki/lab-ca.ts';

export async function trust(session: Session): Promise<number> {
  const ca = join(session.paths.pki, `${LAB_CA_NAME}.crt`);
  const shown = displayPath(ca);
  const out = (s = '') => session.io.stdout.write(s + '\n');
  if (!existsSync(ca)) out(`The lab CA does not exist yet (${shown}); lab 04 makes it. The steps below apply once it does.\n`);
  out(`The lab CA signs only the lab's ingress certificate. Trusting it lets your browser open https://app.localhost without a warning.`);
  out(`You do not need to: curl --cacert ${shown} https://app.localhost/ works without it. Nothing below runs unless you type it.`);
  out();
  out('macOS (Keychain):');
  out(`  trust:   sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${shown}`);
  out(`  remove:  sudo security delete-certificate -c "${LAB_CA_CN}" /Library/Keychains/System.keychain`);
  out();
  out('Debian/Ubuntu:');
  out(`  trust:   sudo cp ${shown} /usr/local/share/ca-certificates/edge-to-mesh-lab-ca.crt && sudo update-ca-certificates`);
  out('  remove:  sudo rm /usr/local/share/ca-certificates/edge-to-mesh-lab-ca.crt && sudo update-ca-certificates --fresh');
  out();
  out('Fedora/RHEL:');
  out(`  trust:   sudo cp ${shown} /etc/pki/ca-trust/source/anchors/edge-to-mesh-lab-ca.crt && sudo update-ca-trust`);
  out('  remove:  sudo rm /etc/pki/ca-trust/source/anchors/edge-to-mesh-lab-ca.crt && sudo update-ca-trust');
  out();
  out('Firefox (own trust store, any OS): Settings → Privacy & Security → Certificates → View Certificates →');
  out(`  Authorities → Import… → ${shown} → "Trust this CA to identify websites". Remove it from the same list.`);
  out('Chrome/Edge use the OS store above (on Linux: Settings → Privacy and security → Security → Manage certificates).');
  out();
  out('Remove the CA when the workshop is over: its key sits in .lab/pki/ on this laptop.');
  return ExitCode.ok;
}
