using Keyhub.Commands;

try
{
    return args switch
    {
        ["server", .. var rest] => await ServerCommand.RunAsync(Arguments.Parse(rest)),
        ["dev", "env", .. var rest] => DevEnvCommand.Run(Arguments.Parse(rest)),
        ["operator", "init", .. var rest] => await OperatorCommand.InitAsync(Arguments.Parse(rest)),
        ["operator", "rekey", .. var rest] => await OperatorCommand.RekeyAsync(Arguments.Parse(rest)),
        ["principal", "hash-secret", .. var rest] => PrincipalCommand.HashSecret(Arguments.Parse(rest)),
        // With --data, principal commands work offline on a stopped server's folder; without, through the API.
        ["principal", var verb, .. var rest] when rest.Any(a => a == "--data" || a.StartsWith("--data=", StringComparison.Ordinal))
            => await PrincipalCommand.RunAsync(verb, Arguments.Parse(rest)),
        [var noun and ("vault" or "principal" or "group" or "role" or "secret" or "key" or "operator" or "ca"), var verb, .. var rest]
            => await OnlineCommands.RunAsync(noun, verb, rest),
        [] or ["help" or "--help" or "-h", ..] => Usage.Print(Console.Out, 0),
        _ => Usage.Print(Console.Error, 2),
    };
}
catch (CommandLineException ex)
{
    await Console.Error.WriteLineAsync($"keyhub: {ex.Message}");
    return 2;
}
catch (Keyhub.Core.Errors.KeyhubException ex)
{
    await Console.Error.WriteLineAsync($"keyhub: {ex.Message}");
    return 1;
}
catch (HttpRequestException ex)
{
    await Console.Error.WriteLineAsync($"keyhub: cannot reach Keyhub: {ex.Message}");
    return 1;
}
catch (InvalidOperationException ex)
{
    await Console.Error.WriteLineAsync($"keyhub: {ex.Message}");
    return 1;
}
