/**
 * The media host handshake: main posts one MessagePort on this channel to the
 * hidden media window; everything after that travels over the port. Kept in
 * its own file so the media host page imports a string, not the whole contract.
 */
export const mediaHostPortChannel = 'media:port';
