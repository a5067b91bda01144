return await Observability.LoadGen.LoadGenerator.RunAsync(args);
