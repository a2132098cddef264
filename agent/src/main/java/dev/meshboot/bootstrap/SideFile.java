package dev.meshboot.bootstrap;

import java.nio.file.Path;

/** A file the bootstrap references and meshboot writes, such as an X-Ray sampling manifest. */
public record SideFile(Path path, String content) {}
