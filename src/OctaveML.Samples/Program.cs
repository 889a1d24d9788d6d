Console.WriteLine("OctaveML samples: commands arrive with the models.");
