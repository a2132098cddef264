package dev.meshboot.mesh.serve;

import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.Translation;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where the server's configuration comes from: a directory loaded into a definition, and the
 * definition translated into each node's resources. Serving depends on nothing else of loading and
 * translation ({@code mesh.load}, {@code mesh.xds}), which {@code meshboot}'s commands pass in.
 *
 * @param loader reads the directory (or file); throws {@link dev.meshboot.mesh.MeshException} with
 *     every error of an invalid definition
 * @param translator the definition's translation, node by node: the server serves the nodes it
 *     lists (a node it leaves out is refused) and, after a change, translates again only the nodes
 *     it says the changed resources affect
 */
public record MeshSource(
    Function<Path, MeshDefinition> loader, Function<MeshDefinition, Translation> translator) {}
