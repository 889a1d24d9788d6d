using OctaveML.Samples.Commands;

// Live progress bars only on a real terminal; redirected output and CI get plain lines.
bool interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null
    && Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive;
return Cli.Run(args, Console.Out, Console.Error, interactive);
