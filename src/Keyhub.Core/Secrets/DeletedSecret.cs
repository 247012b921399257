namespace Keyhub.Core.Secrets;

public sealed record DeletedSecret(SecretVersion Latest, DateTimeOffset DeletedDate, DateTimeOffset ScheduledPurgeDate);
