import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { RustFunction } from './rust-function';

/**
 * Lets `fn` read and write the items of `table` and query its indexes: `grantReadWriteData`,
 * whose `<table>/index/*` resource cdk-nag flags, accepted here once for every caller.
 */
export function grantTableReadWrite(table: dynamodb.ITable, fn: RustFunction): iam.Grant {
  const grant = table.grantReadWriteData(fn);
  NagSuppressions.addResourceSuppressions(
    fn.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Queries name an index of this one table; <table>/index/* covers exactly the indexes the table declares and nothing else.',
        appliesTo: [{ regex: '/^Resource::<Table[0-9A-F]{8}\\.Arn>\\/index\\/\\*$/g' }],
      },
    ],
    true,
  );
  return grant;
}
