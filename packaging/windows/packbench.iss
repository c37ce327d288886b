; Inno Setup script for the packbench bench app (Inno Setup 6).
;
; Installs the PyInstaller one-folder build (dist\packbench\, made by `pyinstaller installer.spec`)
; under Program Files with a Start-menu entry, an optional desktop icon, and an uninstaller.
; Build it on Windows from the repository root:
;
;   pyinstaller --noconfirm installer.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\packbench.iss
;
; The installer lands in dist\installer\packbench-<version>-setup.exe. The bench keeps its data
; (settings, local store, outbox) in the user's AppData folder, which the uninstaller leaves alone:
; an outbox may still hold events the hub has not received.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "packbench"
#define AppExe "packbench.exe"
; The same program with a console window: --version, self-test, the hub commands.
#define ConsoleExe "packbench-console.exe"
#define BuildDir "..\..\dist\packbench"

[Setup]
; A fixed AppId keeps upgrades in place; never change it.
AppId={{6E0B3C57-2F7A-4C1E-9B84-5D2C7A1F0B3E}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=packbench contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist\installer
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=..\icons\packbench.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Per-machine by default (a bench PC is shared by shifts); the admin may choose per-user instead.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; The whole one-folder build: packbench.exe, packbench-console.exe, the _internal\ folder (Python, Qt, plugins, resources).
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\icons\packbench.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\packbench.ico"; Comment: "Pack, weigh and ship orders"
Name: "{group}\{#AppName} demo (simulated devices)"; Filename: "{app}\{#AppExe}"; Parameters: "demo"; IconFilename: "{app}\packbench.ico"
Name: "{group}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#ConsoleExe}"" self-test"; IconFilename: "{app}\packbench.ico"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\packbench.ico"; Tasks: desktopicon

[Run]
; Prove the install before the first shift: offscreen window, resources, simulated scale and printer.
Filename: "{app}\{#ConsoleExe}"; Parameters: "self-test"; StatusMsg: "Checking the installation (packbench self-test)..."; Flags: runhidden waituntilterminated
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
