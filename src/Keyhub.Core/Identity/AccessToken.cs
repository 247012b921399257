namespace Keyhub.Core.Identity;

/// <summary>The claims Keyhub relies on after a token has been validated.</summary>
public sealed record AccessToken(string ObjectId, string ClientId, string Audience, DateTimeOffset Expires);
