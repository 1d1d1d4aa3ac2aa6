// A config-v1.1 document (Thunderbird's autoconfig format) kept as a string, so that the build, the tests
// and the demo and bench (run by tsx, which has no text loader) all read it alike.
export default `<?xml version="1.0" encoding="UTF-8"?>
<!-- Source: Thunderbird ISPDB, ispdb/gmx.com.xml (commit b57df2b1f8bce05d8bc0bac660a2ea95fbc858eb); the international GMX, same company as gmx.net but other servers -->
<clientConfig version="1.1">
  <emailProvider id="gmx.com">
    <domain>gmx.com</domain>
    <domain>gmx.tm</domain>
    <domain>gmx.us</domain>
    <domain>gmx.co.uk</domain>
    <domain>gmx.es</domain>
    <domain>gmx.fr</domain>
    <domain>gmx.ca</domain>
    <domain>gmx.cn</domain>
    <domain>gmx.co.in</domain>
    <domain>gmx.com.br</domain>
    <domain>gmx.com.my</domain>
    <domain>gmx.hk</domain>
    <domain>gmx.ie</domain>
    <domain>gmx.ph</domain>
    <domain>gmx.pt</domain>
    <domain>gmx.ru</domain>
    <domain>gmx.se</domain>
    <domain>gmx.sg</domain>
    <domain>gmx.tw</domain>
    <domain>gmx.com.tr</domain>
    <domain>gmx.it</domain>
    <domain>gmx.li</domain>
    <displayName>GMX Freemail</displayName>
    <displayShortName>GMX</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.gmx.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.gmx.com</hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.gmx.com</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.gmx.com</hostname>
      <port>110</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>mail.gmx.com</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>mail.gmx.com</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;
