package dev.meshboot.bootstrap;

import java.nio.file.Path;

/**
 * A file the bootstrap references and meshboot writes, such as an X-Ray sampling manifest.
 *
 * @param variable the variable that names the file, for errors
 */
public record SideFile(Path path, String content, String variable) {}
