import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { envFromSecretValue, envNamesOf, loadSecretsIntoEnv, SECRET_ARNS_ENV } from '../../../core/aws/secrets-env';
import { InvalidInputError } from '../../../core/errors';
import { instanceSecret } from '../../infra/manifests';
import { stubTransport } from './sfn-stub';

const pg = instanceSecret('postgres-depot-rw', 'rw', []);
// biome-ignore lint/suspicious/noTemplateCurlyInString: manifest interpolation syntax, not a JS template
pg['instance-secret'].data = { username: '${PGUSER:-postgres}', password: '${PGPASSWORD}', sslmode: 'require' };

describe('depot secrets from Secrets Manager into the variables the manifests name', () => {
  it('maps keys to the variables of whole-value references only', () => {
    expect(envNamesOf(pg)).toEqual({ username: 'PGUSER', password: 'PGPASSWORD' });
    expect(envFromSecretValue(pg, '{"username":"app","password":"s3cr3t","other":"x"}')).toEqual({
      PGUSER: 'app',
      PGPASSWORD: 's3cr3t',
    });
  });

  it('rejects a value that is not a JSON object, without printing it', () => {
    expect(() => envFromSecretValue(pg, 'hunter2')).toThrow(InvalidInputError);
    expect(() => envFromSecretValue(pg, 'hunter2')).toThrow(
      'secret postgres-depot-rw: the value is not a JSON object of keys',
    );
  });

  it('reads each listed secret with GetSecretValue (stubbed transport) and sets the variables', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:icefloe/postgres-depot-rw-AbCdEf';
    const { requestHandler, sent } = stubTransport(
      {
        GetSecretValue: [
          { body: { ARN: arn, Name: 'icefloe/postgres-depot-rw', SecretString: '{"username":"app","password":"pw"}' } },
        ],
      },
      'application/x-amz-json-1.1',
    );
    const client = new SecretsManagerClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler,
      maxAttempts: 1,
    });
    const env: NodeJS.ProcessEnv = { [SECRET_ARNS_ENV]: JSON.stringify({ 'postgres-depot-rw': arn, unknown: 'x' }) };
    expect(await loadSecretsIntoEnv([pg], env, client)).toEqual(['PGUSER', 'PGPASSWORD']);
    expect(env.PGUSER).toBe('app');
    expect(env.PGPASSWORD).toBe('pw');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.target).toBe('secretsmanager.GetSecretValue');
    expect(sent[0]?.hostname).toBe('secretsmanager.eu-west-1.amazonaws.com');
    expect(sent[0]?.body).toEqual({ SecretId: arn });
  });

  it('does nothing without the variable (local runs)', async () => {
    expect(await loadSecretsIntoEnv([pg], {})).toEqual([]);
  });
});
