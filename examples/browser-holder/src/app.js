// The holder's page: make an identity whose secret never leaves the browser, have the dApp's server request a
// credential for its commitment, fetch the paths and circuit from Custos (public, CORS) and prove locally. The proof
// is what the holder's wallet sends to the gatekeeper (submitProof) or to a gated contract.
import { CustosHolderClient, createIdentity, proveCredential } from '@custos/sdk/holder';

const POLICY = 'kyc-basic';
const output = document.querySelector('#output');
const show = (state, text) => {
  document.body.dataset.state = state;
  output.textContent = text;
};

async function prove(recipient) {
  const { custosUrl } = await (await fetch('/config.json')).json();
  const custos = new CustosHolderClient({ url: custosUrl });
  const identity = createIdentity();
  show('working', 'requesting a credential...');
  const response = await fetch('/credential', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject: recipient, identityCommitment: identity.commitment.toString() }),
  });
  if (!response.ok) throw new Error(`credential refused: ${await response.text()}`);
  const credential = await response.json();
  show('working', 'proving in this browser...');
  const request = await custos.proofRequest(credential, { recipient });
  const proof = await proveCredential(identity, request, await custos.artifacts());
  const { policies } = await custos.zkParameters();
  const { policyId } = policies.find((policy) => policy.name === POLICY);
  return { policyId, recipient, proof }; // submitProof's arguments, with the gatekeeper's address
}

document.querySelector('#prove').addEventListener('click', () => {
  prove(document.querySelector('#recipient').value.trim()).then(
    (result) => show('proved', JSON.stringify(result, null, 2)),
    (error) => show('failed', String(error)),
  );
});
