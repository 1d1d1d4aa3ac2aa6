// A config-v1.1 document (Thunderbird's autoconfig format) kept as a string, so that the build, the tests
// and the demo and bench (run by tsx, which has no text loader) all read it alike.
export default `<?xml version="1.0" encoding="UTF-8"?>
<!-- Source: Thunderbird ISPDB, ispdb/office365.com.xml (commit 1daa57ba52334b754a020511385f1c3356d1d607), IMAP, POP3
     and SMTP only; scopes on outlook.office.com as for Outlook.com (the ISPDB file names the same permissions on
     outlook.office365.com). A company's own domain is found through its MX record (*.mail.protection.outlook.com). -->
<clientConfig version="1.1">
  <emailProvider id="office365.com">
    <domain>onmicrosoft.com</domain>
    <displayName>Microsoft 365</displayName>
    <displayShortName>Microsoft 365</displayShortName>
    <incomingServer type="imap">
      <hostname>outlook.office365.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>outlook.office365.com</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.office365.com</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
    </outgoingServer>
  </emailProvider>
  <oAuth2>
    <issuer>login.microsoftonline.com</issuer>
    <scope>https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/POP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access</scope>
    <authURL>https://login.microsoftonline.com/common/oauth2/v2.0/authorize</authURL>
    <tokenURL>https://login.microsoftonline.com/common/oauth2/v2.0/token</tokenURL>
  </oAuth2>
</clientConfig>
`;
